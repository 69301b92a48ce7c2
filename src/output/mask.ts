/** Shortening of secrets and long IDs for display. Secrets are never shown whole. */

/** `AIza…wxyz` for a key; a short key shows nothing of itself but its length. */
export function maskSecret(secret: string): string {
  if (secret.length < 12) return `(${secret.length} characters, hidden)`;
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}

/** Registration IDs run past 150 characters; a table shows the start and the tail. */
export function shortenId(id: string, width = 20): string {
  if (id.length <= width) return id;
  const tail = Math.floor((width - 1) / 3);
  return `${id.slice(0, width - 1 - tail)}…${id.slice(-tail)}`;
}
