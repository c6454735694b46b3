import { domainToASCII } from 'node:url';
import { DomainError, NotAnAdmin, UniqueViolation } from '../errors.ts';
import { charLength } from '../text.ts';
import type { Actor, Role, User } from './accounts.types.ts';
import type { PlansService } from './plans.service.ts';
import { generatePassword, hashPassword, sha256Hex, verifyPassword } from './secrets.ts';
import type { AdminWrite, UsersRepo } from './users.repo.ts';

// tried only on at most 254 characters: its backtracking is quadratic in the length (1 MB: minutes)
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// characters that do not show (zero-width, bidi controls, soft hyphen…): two addresses that differ only by
// one look the same in every list, so an account could pass for another
const HIDDEN_IN_EMAIL = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
/**
 * An email as stored and looked up: trimmed, lower-cased, then in Unicode's composed form (NFC), so that
 * "josé" typed with a combining accent is the same account as "josé" typed with é (browsers and
 * keyboards send either). Lower-casing first: it can make a letter that has a composed form.
 */
export const normalEmail = (raw: unknown) => String(raw ?? '').trim().toLowerCase().normalize('NFC');

/**
 * What makes two emails one mailbox to a reader beyond normalEmail: compatibility forms folded (full-width
 * ａｄｍｉｎ, the ligature ﬁ) and the domain in its ASCII form (bücher.example is xn--bcher-kva.example).
 * It refuses a second account that would pass for an existing one; lookups keep normalEmail, so accounts
 * stored before go on signing in as they did.
 */
export function mailboxKey(email: string): string {
  const folded = normalEmail(email).normalize('NFKC').toLowerCase();
  const at = folded.lastIndexOf('@');
  const domain = folded.slice(at + 1);
  return `${folded.slice(0, at)}@${domainToASCII(domain) || domain}`;
}

// Latin letters beside Cyrillic, Greek or Armenian ones in one part of an address are how look-alikes are
// made ("аdmin" with a Cyrillic а reads as admin in every list); no real address needs both in one part
const LATIN = /\p{Script=Latin}/u;
const LOOK_ALIKE_SCRIPTS: [RegExp, string][] = [
  [/\p{Script=Cyrillic}/u, 'Cyrillic'],
  [/\p{Script=Greek}/u, 'Greek'],
  [/\p{Script=Armenian}/u, 'Armenian'],
];

/** The script a part of the email (its local part or a domain label, as split at @ and dots) mixes with Latin letters, if any. */
function mixedScript(email: string): string | null {
  for (const part of email.split(/[@.]/)) {
    if (!LATIN.test(part)) continue;
    const other = LOOK_ALIKE_SCRIPTS.find(([re]) => re.test(part));
    if (other) return other[1];
  }
  return null;
}

export const MIN_PASSWORD_LENGTH = 8;

export interface CreateUserInput {
  email: string;
  password: string;
  role?: Role;
  /** default: free, or enterprise for an admin */
  plan?: string;
  mustChangePassword?: boolean;
}

/** @throws VALIDATION (meta.field 'password') */
export function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || charLength(password) < MIN_PASSWORD_LENGTH || charLength(password) > 128) {
    throw new DomainError('VALIDATION', `The password must be ${MIN_PASSWORD_LENGTH} to 128 characters.`, { field: 'password' });
  }
  return password;
}

export const ONLY_ADMINS = 'Only admins can manage users.';

/** An admin's write refused in its transaction (users.repo AdminWrite) is the same refusal as at the request's start. */
const forbiddenIfNotAdmin = <T>(write: Promise<T>): Promise<T> =>
  write.catch((e: unknown) => {
    throw e instanceof NotAnAdmin ? new DomainError('FORBIDDEN', ONLY_ADMINS) : e;
  });

export function createUsersService(deps: { users: UsersRepo; plans: PlansService }) {
  const { users, plans } = deps;
  let dummyHash: Promise<string> | undefined;

  /**
   * The account of an email however it is written. Emails stored before they were normalised (9b1faf3)
   * may be in another Unicode form: a miss on a non-ASCII address looks among those (few) stored rows.
   */
  async function findByEmail(raw: unknown): Promise<{ user: User; passwordHash: string } | null> {
    const email = normalEmail(raw);
    const found = await users.findByEmailWithHash(email);
    if (found || /^[ -~]*$/.test(email)) return found;
    const stored = (await users.nonAsciiEmails()).find((e) => normalEmail(e) === email);
    return stored === undefined ? null : users.findByEmailWithHash(stored);
  }

  /** An account whose email reads as this one (mailboxKey), however either was written. */
  async function lookAlikeOf(email: string): Promise<boolean> {
    const key = mailboxKey(email);
    if (/^[ -~]*$/.test(key) && (await users.findByEmailWithHash(key))) return true;
    return (await users.nonAsciiEmails()).some((e) => mailboxKey(e) === key);
  }

  async function actorFor(user: User): Promise<Actor> {
    return { user, plan: await plans.get(user.planId) };
  }

  /** A plan named in the input: an unknown name is the input's fault (the form's plan field), not a missing page. */
  const planNamed = (name: string) =>
    plans.getByName(name).catch((e: unknown) => {
      throw e instanceof DomainError && e.code === 'NOT_FOUND' ? new DomainError('VALIDATION', e.message, { field: 'plan' }) : e;
    });

  return {
    actorFor,

    /** @throws VALIDATION (plan unknown too), CODE_TAKEN (email in use), FORBIDDEN (byAdmin no longer an admin) */
    async create(input: CreateUserInput, opts: AdminWrite = {}): Promise<User> {
      const email = normalEmail(input.email);
      if (email.length > 254 || !EMAIL.test(email) || HIDDEN_IN_EMAIL.test(email)) {
        throw new DomainError('VALIDATION', 'The email must be a valid email address.', { field: 'email' });
      }
      const script = mixedScript(email);
      if (script) {
        throw new DomainError('VALIDATION', `The email mixes Latin letters with ${script} ones in one part: it would read as another address. Write it in one alphabet.`, { field: 'email' });
      }
      const password = checkPassword(input.password);
      // an admin runs the appliance: on free (no API access) their own first key would be refused
      const plan = await planNamed(input.plan ?? (input.role === 'admin' ? 'enterprise' : 'free'));
      const taken = () => new DomainError('CODE_TAKEN', 'A user with this email already exists.', { field: 'email' });
      // an email that reads as a stored one is taken; the same one written the same way reads as itself
      if (await lookAlikeOf(email)) throw taken();
      const passwordHash = await hashPassword(password);
      // the hash awaits the bcrypt thread: a second create for the same email may have inserted meanwhile
      return forbiddenIfNotAdmin(users.insert({ email, passwordHash, role: input.role ?? 'member', planId: plan.id, mustChangePassword: input.mustChangePassword ?? false }, opts)).catch(
        (e: unknown) => {
          throw e instanceof UniqueViolation ? taken() : e;
        },
      );
    },

    /**
     * When no user is an admin (an empty database, or only members made with
     * the CLI before the first start), creates one with a random password and
     * returns the credentials so they can be printed once; otherwise null.
     */
    async ensureInitialAdmin(): Promise<{ email: string; password: string } | null> {
      if ((await users.countAdmins()) > 0) return null;
      const password = generatePassword();
      // the usual address, unless a member already holds it
      const taken = async (email: string) => (await users.findByEmailWithHash(email)) !== null;
      let email = 'admin@localhost.localdomain';
      while (await taken(email)) email = `admin-${generatePassword(6).toLowerCase()}@localhost.localdomain`;
      await this.create({ email, password, role: 'admin', mustChangePassword: true });
      return { email, password };
    },

    /**
     * The user, and the password hash the password was checked against: what a caller acting on the
     * check after its wait must find still in place (sessions.service).
     * @throws UNAUTHENTICATED (unknown email, wrong password or deactivated user alike)
     */
    async authenticate(emailRaw: string, password: string): Promise<{ user: User; passwordHash: string }> {
      const found = await findByEmail(emailRaw);
      // compare against a dummy hash for unknown emails so timing does not reveal which exist
      dummyHash ??= hashPassword(generatePassword());
      const ok = await verifyPassword(String(password), found?.passwordHash ?? (await dummyHash));
      if (!found || !ok || !found.user.isActive) throw new DomainError('UNAUTHENTICATED', 'Invalid email or password.');
      return found;
    },

    /**
     * What a browser's sign-in standing is bound to (http/trusted-device.ts): the account and its
     * password as they are now, so a reset or a change ends every standing earned with the old one.
     * Opaque (a digest); null when no account has this email.
     */
    async signInStamp(emailRaw: string): Promise<string | null> {
      const found = await findByEmail(emailRaw);
      return found ? sha256Hex(`${found.user.id}\u0000${found.passwordHash}`) : null;
    },

    /**
     * Replaces the password `verifiedHash` was checked for, unless it was replaced meanwhile (an
     * admin's reset), the user deactivated or, given `whileSession` (a session's id hash), that session
     * ended (signed out). @throws VALIDATION, UNAUTHENTICATED
     */
    async changePassword(id: number, verifiedHash: string, next: string, whileSession?: string): Promise<void> {
      const hash = await hashPassword(checkPassword(next));
      // the session (when given) checked in the write's own statement: the hash took ~70 ms in which it may have ended
      if (!(await users.replacePasswordHash(id, verifiedHash, hash, whileSession))) {
        throw new DomainError('UNAUTHENTICATED', 'Your session ended meanwhile (signed out, password reset or account deactivated). Sign in again.');
      }
    },

    /** @throws NOT_FOUND */
    async get(id: number): Promise<User> {
      const u = await users.findById(id);
      if (!u) throw new DomainError('NOT_FOUND', 'User not found.');
      return u;
    },

    /** @throws NOT_FOUND */
    async getByEmail(email: string): Promise<User> {
      const found = await findByEmail(email);
      if (!found) throw new DomainError('NOT_FOUND', `No user with email ${email}.`);
      return found.user;
    },

    list: () => users.list(),

    /** @throws NOT_FOUND, VALIDATION */
    async setPassword(id: number, password: string): Promise<User> {
      const u = await users.update(id, { passwordHash: await hashPassword(checkPassword(password)), mustChangePassword: false });
      if (!u) throw new DomainError('NOT_FOUND', 'User not found.');
      return u;
    },

    /**
     * Replaces the password with a generated one, returned once, that the user
     * must change at the next sign-in. Ending their sessions is the caller's
     * job (sessions depend on users, not the other way round). @throws NOT_FOUND, FORBIDDEN (byAdmin no longer an admin)
     */
    async resetPassword(id: number, opts: AdminWrite = {}): Promise<{ user: User; password: string }> {
      const password = generatePassword();
      const u = await forbiddenIfNotAdmin(users.update(id, { passwordHash: await hashPassword(password), mustChangePassword: true }, opts));
      if (!u) throw new DomainError('NOT_FOUND', 'User not found.');
      return { user: u, password };
    },

    /** @throws NOT_FOUND, FORBIDDEN (byAdmin no longer an admin) */
    async update(id: number, patch: { role?: Role; plan?: string; isActive?: boolean }, opts: AdminWrite = {}): Promise<User> {
      const planId = patch.plan !== undefined ? (await planNamed(patch.plan)).id : undefined;
      const u = await forbiddenIfNotAdmin(users.update(id, { role: patch.role, isActive: patch.isActive, planId }, opts));
      if (!u) throw new DomainError('NOT_FOUND', 'User not found.');
      return u;
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;
