/**
 * Text from outside (an ERP's error message, a vendor name) made safe to print on a terminal: control characters
 * (ESC, BEL, CSI, backspace, carriage return, DEL, the C1 range) are shown as visible escapes (`\x1b`, `\x07`, `\u009b`)
 * instead of being sent, so an ERP message cannot clear the screen, set the window title or fake colours.
 * Newlines and tabs inside one field are escaped too: one record stays on its own lines.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
