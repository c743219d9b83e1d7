import { webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { withStateDirLock, writeFileAtomically } from './stateDir.ts';

/** What the HTTPS listener serves and what callers must trust. */
export type TlsMaterial = {
  /** The local CA's certificate: what NODE_EXTRA_CA_CERTS and browsers trust. */
  caFile: string;
  /** PEM certificate for localhost, 127.0.0.1 and ::1, followed by the CA. */
  certificateChain: string;
  privateKey: string;
};

const files = {
  caCertificate: 'ca.crt',
  caKey: 'ca.key',
  certificate: 'localhost.crt',
  key: 'localhost.key',
};

const day = 24 * 60 * 60 * 1000;
const caLifetime = 10 * 365 * day;
// Browsers refuse server certificates valid for more than about 13 months.
const certificateLifetime = 365 * day;
const renewBefore = 30 * day;

const keyAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' };
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' };

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/**
 * Loads the local CA and the localhost certificate from `stateDir`, creating the CA on
 * the first start and a new certificate when it is missing, about to expire or from
 * another CA. The CA is kept across starts so that a browser told to trust it once keeps
 * trusting the dev server.
 */
export async function ensureTlsMaterial(
  stateDir: string,
  now = new Date(),
): Promise<TlsMaterial> {
  return withStateDirLock(stateDir, async () => {
    const path = (name: keyof typeof files) => join(stateDir, files[name]);
    let ca = await loadCa(path('caCertificate'), path('caKey'), now);
    if (!ca) {
      ca = await createCa(now);
      await writeFileAtomically(path('caKey'), ca.keyPem, 0o600);
      await writeFileAtomically(
        path('caCertificate'),
        ca.certificate.toString('pem'),
        0o644,
      );
    }
    let leaf = await loadLeaf(path('certificate'), path('key'), ca, now);
    if (!leaf) {
      leaf = await createLeaf(ca, now);
      await writeFileAtomically(path('key'), leaf.keyPem, 0o600);
      await writeFileAtomically(
        path('certificate'),
        leaf.certificate.toString('pem'),
        0o644,
      );
    }
    return {
      caFile: path('caCertificate'),
      certificateChain: `${leaf.certificate.toString(
        'pem',
      )}\n${ca.certificate.toString('pem')}\n`,
      privateKey: leaf.keyPem,
    };
  });
}

type KeyedCertificate = {
  certificate: x509.X509Certificate;
  key: CryptoKey;
  keyPem: string;
};

async function loadCa(
  certificateFile: string,
  keyFile: string,
  now: Date,
): Promise<KeyedCertificate | undefined> {
  const loaded = await loadKeyedCertificate(certificateFile, keyFile);
  if (
    !loaded ||
    loaded.certificate.notAfter.getTime() < now.getTime() + renewBefore
  ) {
    return undefined;
  }
  return loaded;
}

async function loadLeaf(
  certificateFile: string,
  keyFile: string,
  ca: KeyedCertificate,
  now: Date,
): Promise<KeyedCertificate | undefined> {
  const loaded = await loadKeyedCertificate(certificateFile, keyFile);
  if (!loaded) return undefined;
  const { certificate } = loaded;
  const fresh = certificate.notAfter.getTime() > now.getTime() + renewBefore;
  const fromThisCa =
    certificate.issuer === ca.certificate.subject &&
    (await certificate.verify({
      publicKey: ca.certificate.publicKey,
      signatureOnly: true,
    }));
  return fresh && fromThisCa ? loaded : undefined;
}

async function loadKeyedCertificate(
  certificateFile: string,
  keyFile: string,
): Promise<KeyedCertificate | undefined> {
  try {
    const certificate = new x509.X509Certificate(
      await readFile(certificateFile, 'utf8'),
    );
    const keyPem = await readFile(keyFile, 'utf8');
    const key = await webcrypto.subtle.importKey(
      'pkcs8',
      x509.PemConverter.decodeFirst(keyPem),
      keyAlgorithm,
      false,
      ['sign'],
    );
    return { certificate, key: key as CryptoKey, keyPem };
  } catch {
    // Missing or unreadable: made anew.
    return undefined;
  }
}

async function createCa(now: Date): Promise<KeyedCertificate> {
  const keys = (await webcrypto.subtle.generateKey(keyAlgorithm, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: 'CN=auth0-dev-server local development CA, O=auth0-dev-server',
    notBefore: new Date(now.getTime() - day),
    notAfter: new Date(now.getTime() + caLifetime),
    keys,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      loopbackOnlyNameConstraints(),
    ],
  });
  return {
    certificate,
    key: keys.privateKey,
    keyPem: await pkcs8Pem(keys.privateKey),
  };
}

async function createLeaf(
  ca: KeyedCertificate,
  now: Date,
): Promise<KeyedCertificate> {
  const keys = (await webcrypto.subtle.generateKey(keyAlgorithm, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: 'CN=localhost',
    issuer: ca.certificate.subject,
    notBefore: new Date(now.getTime() - day),
    notAfter: new Date(now.getTime() + certificateLifetime),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
    ],
  });
  return {
    certificate,
    key: keys.privateKey,
    keyPem: await pkcs8Pem(keys.privateKey),
  };
}

/**
 * A CA that someone imports into a browser could vouch for any site. Name constraints
 * (RFC 5280 4.2.1.10) limit this one to localhost, 127.0.0.1 and ::1, so its key on
 * disk is worth nothing for other names. @peculiar/x509 has no class for this
 * extension, so its DER is written out here.
 */
function loopbackOnlyNameConstraints(): x509.Extension {
  const ipv4 = [127, 0, 0, 1, 255, 255, 255, 255];
  const ipv6 = [...new Array(15).fill(0), 1, ...new Array(16).fill(255)];
  const subtrees = [
    der(0x82, [...Buffer.from('localhost', 'ascii')]),
    der(0x87, ipv4),
    der(0x87, ipv6),
  ].map(generalName => der(0x30, generalName));
  const value = der(0x30, der(0xa0, subtrees.flat()));
  return new x509.Extension('2.5.29.30', true, new Uint8Array(value));
}

function der(tag: number, content: number[]): number[] {
  const length = content.length;
  if (length < 0x80) return [tag, length, ...content];
  if (length < 0x100) return [tag, 0x81, length, ...content];
  return [tag, 0x82, length >> 8, length & 0xff, ...content];
}

function randomSerialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  // Positive and without a leading zero byte, as DER integers for serial numbers must be.
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return Buffer.from(bytes).toString('hex');
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const exported = await webcrypto.subtle.exportKey(
    'pkcs8',
    key as webcrypto.CryptoKey,
  );
  return x509.PemConverter.encode(exported, 'PRIVATE KEY');
}
