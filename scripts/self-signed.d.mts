/** A self-signed certificate for 127.0.0.1 and localhost, made with the `openssl` CLI. */
export interface SelfSigned {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  remove(): void;
}

export declare function createSelfSigned(dir?: string, name?: string): SelfSigned;
