/**
 * A request path as the log shows it: its first 200 characters and its length. A path is the client's to
 * choose (up to Bun's 64 KB request line) and every 404 is logged at the default level: 15 KB a line
 * otherwise, for anyone who cares to fill the disk.
 */
export const MAX_LOGGED_PATH = 200;

export const loggedPath = (path: string): string => (path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}… (${path.length} characters)` : path);
