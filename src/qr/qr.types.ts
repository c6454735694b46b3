export type QrType = 'url' | 'text' | 'email' | 'sms' | 'phone';
export type ErrorCorrection = 'L' | 'M' | 'Q' | 'H';
export const QR_TYPES: readonly QrType[] = ['url', 'text', 'email', 'sms', 'phone'];
export const ERROR_CORRECTIONS: readonly ErrorCorrection[] = ['L', 'M', 'Q', 'H'];

export interface QrCode {
  id: number;
  userId: number;
  linkId: number | null;
  name: string;
  type: QrType;
  content: string;
  foregroundColor: string;
  backgroundColor: string;
  margin: number;
  size: number;
  errorCorrection: ErrorCorrection;
  createdAt: number;
  updatedAt: number;
}

export interface QrStyle {
  foregroundColor: string;
  backgroundColor: string;
  margin: number;
  size: number;
  errorCorrection: ErrorCorrection;
}
