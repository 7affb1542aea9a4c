import { describe, expect, it } from 'vitest';
import { outcomeOfRefusedPost, readFailure } from '../src/vista-errors.js';

/** Issue 11 item 8: Vista's messages end in a full stop; ours around them must not add a second (".."). */
describe('Vista messages read as one sentence', () => {
  const answer = (status: number, message: string, errors?: { field: string; message: string }[]) => ({
    status,
    headers: {},
    body: JSON.stringify({ statusCode: status, message, ...(errors === undefined ? {} : { errors }) }),
  });

  it('a refusal, an auth refusal and a failed read end with one full stop after Vista\'s own', () => {
    const messages = [
      outcomeOfRefusedPost(answer(400, 'CM Reference 10001 already exists on CM Account 1 for Pay Method C.', [{ field: 'DocumentOrCheckNo', message: 'CM Reference 10001 already exists.' }]), 0),
      outcomeOfRefusedPost(answer(400, 'The payment is not valid.', [{ field: 'Invoices', message: 'Amount exceeds the open amount.' }]), 0),
      outcomeOfRefusedPost(answer(401, 'The application key is not valid.'), 0),
    ].map((outcome) => (outcome as { message: string }).message);
    messages.push(readFailure(answer(404, 'No such module.'), 'listing payments').message);
    for (const message of messages) {
      expect(message).not.toContain('..');
      expect(message).toMatch(/valid\. |C\. |No such module\. /);
    }
  });
});
