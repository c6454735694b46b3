export type QrType = 'url' | 'text' | 'email' | 'sms' | 'phone';
export type ErrorCorrection = 'L' | 'M' | 'Q' | 'H';
export const QR_TYPES: readonly QrType[] = ['url', 'text', 'email', 'sms', 'phone'];
export const ERROR_CORRECTIONS: readonly ErrorCorrection[] = ['L', 'M', 'Q', 'H'];

export interface QrStyle {
  foregroundColor: string;
  backgroundColor: string;
  margin: number;
  size: number;
  errorCorrection: ErrorCorrection;
}

/** A saved QR code: what it encodes, and its style (which is also all a render needs). */
export interface QrCode extends QrStyle {
  id: number;
  userId: number;
  linkId: number | null;
  name: string;
  type: QrType;
  content: string;
  createdAt: number;
  updatedAt: number;
}
