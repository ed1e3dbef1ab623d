// Throwaway certificates for the HTTPS and TURN tests, made with the
// openssl command line: a test CA, leaf certificates it signs, the SPKI
// hash Chromium is told to accept, and HTTPS requests and TLS handshakes
// that trust the test CA only.
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import https from 'node:https';
import tls from 'node:tls';

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function openssl(args, input) {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

// A CA in dir: {cert, key} paths.
export function makeCA(dir, name = 'majlis test CA') {
  const cert = join(dir, 'ca.pem');
  const key = join(dir, 'ca.key');
  openssl(['req', '-x509', ...EC, '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  return { cert, key };
}

// A server certificate the CA signs for the names (DNS names or IPs):
// {cert, key, pem} with cert and key as paths. file: the base name.
export function makeLeaf(dir, ca, file, names, { days = 2 } = {}) {
  const cert = join(dir, `${file}.pem`);
  const key = join(dir, `${file}.key`);
  const csr = join(dir, `${file}.csr`);
  const ext = join(dir, `${file}.ext`);
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  openssl(['req', ...EC, '-keyout', key, '-out', csr, '-subj', `/CN=${names[0]}`]);
  // days -1: a certificate that expired yesterday.
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial',
    '-out', cert, '-days', String(days), '-extfile', ext]);
  return { cert, key, pem: readFileSync(cert, 'utf8') };
}

// base64(SHA-256(SubjectPublicKeyInfo)) of a certificate file, as
// Chromium's --ignore-certificate-errors-spki-list wants it.
export function spkiHash(certPath) {
  const pub = openssl(['x509', '-in', certPath, '-pubkey', '-noout']);
  const der = openssl(['pkey', '-pubin', '-outform', 'der'], pub);
  return openssl(['dgst', '-sha256', '-binary'], der).toString('base64');
}

// The SHA-256 fingerprint of a certificate file ("AB:CD:...").
export function fingerprint(certPath) {
  const out = openssl(['x509', '-in', certPath, '-noout', '-fingerprint', '-sha256']).toString();
  return out.trim().split('=')[1];
}

// The certificate a TLS server presents (its fingerprint), trusting ca.
export function servedFingerprint(port, ca, servername = 'localhost', host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host, port, servername, ca: readFileSync(ca.cert) }, () => {
      const fp = sock.getPeerCertificate().fingerprint256;
      sock.end();
      resolve(fp);
    });
    sock.on('error', reject);
  });
}

// An HTTPS request trusting ca only: {status, headers, text, json}.
export function httpsRequest(url, { method = 'GET', headers = {}, body, ca } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca: ca && readFileSync(ca.cert) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { json = null; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
