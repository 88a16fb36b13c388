import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signs short-lived download URLs (GetFunction's Code.Location) with a server secret. */
export class UrlSigner {
  constructor(private readonly secret: Buffer) {}

  sign(payload: Record<string, string | number>): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The payload, or undefined when the token was tampered with. Expiry is the caller's check. */
  verify(token: string): Record<string, string | number> | undefined {
    const dot = token.indexOf('.');
    if (dot < 0) return undefined;
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, string | number>;
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
