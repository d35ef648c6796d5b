// The API masks key codes in every operator view; this is the console's second line, applied to every
// free text it shows (ticket summaries and threads), so a code a buyer typed never reaches the screen.
// Same rule as faka.domain.codes.mask_code. Runs of 26 are left alone: those are ULIDs (order and ticket ids).
const KEY_LIKE = /\b[A-Z0-9]{3,}(?:-[A-Z0-9]{3,}){2,}\b|\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{12,25}\b/g;

export function maskCode(code) {
  const visible = code.length >= 12 ? 4 : code.length > 2 ? Math.max(Math.floor(code.length / 4), 1) : 0;
  return "*".repeat(code.length - visible) + code.slice(code.length - visible);
}

export function maskKeys(text) {
  return String(text ?? "").replace(KEY_LIKE, maskCode);
}
