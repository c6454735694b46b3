/**
 * Whether a path or URL lies inside the compiled binary's embedded file system
 * (Bun's /$bunfs/ root; ~BUN on Windows): how code tells the single-file
 * appliance from a source checkout, where files sit next to it on disk.
 */
export const inCompiledBinary = (pathOrUrl: string): boolean => pathOrUrl.includes('/$bunfs/') || pathOrUrl.includes('~BUN');
