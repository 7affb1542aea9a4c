import type { IncomingMessage } from 'node:http';
import { gunzip, inflate, inflateRaw, type InputType, type ZlibOptions } from 'node:zlib';

/**
 * The most a Web Connector request body may be, on the wire and once inflated. The largest thing the Web
 * Connector sends is one qbXML answer to one message (25 requests, or one import page of at most 1,000 checks,
 * well under a MiB); 4 MiB leaves room and bounds what a stranger can make this process hold.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Why a body was refused: the HTTP status and a plain message for the caller. */
export class BodyRefusal extends Error {
  readonly status: 400 | 413 | 415;

  constructor(status: 400 | 413 | 415, message: string) {
    super(message);
    this.name = 'BodyRefusal';
    this.status = status;
  }
}

type Inflate = (input: InputType, options: ZlibOptions, callback: (error: Error | null, result: Buffer) => void) => void;

const DECODERS: Record<string, Inflate | null> = {
  '': null,
  identity: null,
  gzip: gunzip,
  'x-gzip': gunzip,
  deflate: inflate,
};

/**
 * Reads a request body whole, bounded before anything parses it: at most `maxBytes` on the wire (a larger
 * Content-Length is refused unread; a body that grows past it stops being read) and at most `maxBytes` once
 * inflated (gzip and deflate are inflated here with zlib's output limit, which stops the inflater as soon as it
 * passes the limit, so a bomb costs `maxBytes`, never what it would inflate to). Any other Content-Encoding is
 * refused. Rejects only with a BodyRefusal.
 */
export async function readBoundedBody(request: IncomingMessage, maxBytes: number = MAX_BODY_BYTES): Promise<Buffer> {
  const encoding = String(request.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (!(encoding in DECODERS)) {
    throw new BodyRefusal(415, `Content-Encoding "${encoding.slice(0, 40)}" is not accepted: send identity, gzip or deflate`);
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new BodyRefusal(413, `the request body (${declared} bytes) is larger than the ${maxBytes} bytes accepted`);
  }
  const raw = await readRaw(request, maxBytes);
  const decode = DECODERS[encoding] ?? null;
  if (decode === null) return raw;
  try {
    return await inflateBounded(decode, raw, maxBytes);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BodyRefusal(413, `the ${encoding} request body inflates past the ${maxBytes} bytes accepted`);
    }
    // "deflate" in HTTP is the zlib format, but some clients send a bare deflate stream.
    if (decode === inflate) {
      try {
        return await inflateBounded(inflateRaw, raw, maxBytes);
      } catch (rawError) {
        if ((rawError as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
          throw new BodyRefusal(413, `the deflate request body inflates past the ${maxBytes} bytes accepted`);
        }
      }
    }
    throw new BodyRefusal(400, `the request body is not valid ${encoding} data`);
  }
}

function inflateBounded(decode: Inflate, raw: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    decode(raw, { maxOutputLength: maxBytes }, (error, result) => (error === null ? resolve(result) : reject(error)));
  });
}

function readRaw(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // Nothing more is read: the caller answers 413 and closes the connection.
        request.pause();
        chunks.length = 0;
        reject(new BodyRefusal(413, `the request body is larger than the ${maxBytes} bytes accepted`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = () => {
      cleanup();
      reject(new BodyRefusal(400, 'the request body could not be read'));
    };
    const onAborted = () => {
      cleanup();
      reject(new BodyRefusal(400, 'the request was aborted before its body arrived'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}
