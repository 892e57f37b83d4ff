// Stable codes for the admin API's error messages, so the console can show them in the
// user's language: `data.reason` (+ `data.params`) for the error, `data.issues` per input field
// (valibot issue type and requirement). The English message stays as it is for API clients.
// A handler may also name its code directly: `new TRPCError({ …, cause: { reason, params } })`.

/** Message pattern → reason code and the names of its captured parameters. */
const KNOWN: Array<[RegExp, string, string[]]> = [
  [/^Wrong username or password\.$/, 'auth.wrong_credentials', []],
  [/^Too many failed sign-in attempts\. Try again in (\d+) minutes?\.$/, 'auth.throttled', ['minutes']],
  [/^This account is disabled\.$/, 'auth.account_disabled', []],
  [/^The current password is wrong\.$/, 'auth.wrong_current_password', []],
  [/^Sign in/, 'auth.sign_in_required', []],
  [/^Cross-site request refused/, 'auth.cross_site', []],
  [/^Admins cannot modify the root account\.$/, 'users.root_protected', []],
  [/^Only root can (create admin accounts|modify admin accounts|change roles)\.$/, 'users.root_only', []],
  [/^The root account (cannot be deleted|cannot be disabled|keeps its role)\.$/, 'users.root_protected', []],
  [/^You cannot delete your own account\.$/, 'users.not_yourself', []],
  [/^user "(.+)" already exists$/, 'users.exists', ['name']],
  [/^user (.+) not found$/, 'users.not_found', ['name']],
  [/^(\d+) user\(s\) are in group "(.+)"; move them first\.$/, 'groups.in_use', ['n', 'name']],
  [/^The default group cannot be removed\.$/, 'groups.default', []],
  [/^Only admins can set the channel groups of a key\.$/, 'keys.groups_admin_only', []],
  [/^You can only create keys for yourself\.$/, 'keys.own_only', []],
  [/^The 'fallback' policy needs a fallback price/, 'prices.fallback_needed', []],
  [/^This redemption code does not exist\.$/, 'codes.unknown', []],
  [/^This redemption code has already been used\.$/, 'codes.used', []],
  [/^This redemption code is disabled\.$/, 'codes.disabled', []],
  [/^Cannot list the upstream's models: ([\s\S]*)$/, 'channels.fetch_models_failed', ['detail']],
  [/^baseUrl is required for channel type (\d+)$/, 'channels.base_url_required', ['type']],
  [/^baseUrl: ([\s\S]*)$/, 'channels.base_url_refused', ['detail']],
  [/^Channel (\d+) does not exist\.$/, 'channels.not_found', ['id']],
  [/^One API import failed \((\w+)\): ([\s\S]*)$/, 'import.failed', ['phase', 'detail']],
  [/^The database does not know the timezone "(.+)"\.$/, 'billing.timezone_unknown', ['zone']],
  [/^Internal error; see the server log\.$/, 'internal', []],
];

export interface ErrorCode {
  reason: string;
  params: Record<string, string>;
}

export function errorCodeOf(message: string, cause: unknown): ErrorCode | undefined {
  const named = cause as { reason?: unknown; params?: unknown } | undefined;
  if (named && typeof named.reason === 'string') {
    return { reason: named.reason, params: (named.params && typeof named.params === 'object' ? named.params : {}) as Record<string, string> };
  }
  for (const [re, reason, names] of KNOWN) {
    const m = re.exec(message);
    if (m) return { reason, params: Object.fromEntries(names.map((n, i) => [n, m[i + 1] ?? ''])) };
  }
  return undefined;
}

/** One input problem as the console translates it: the check that failed and its requirement. */
export interface FieldIssue {
  type: string;
  requirement?: string | number;
}

type Issue = { type?: string; requirement?: unknown; path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> };

export function fieldIssues(cause: unknown): Record<string, FieldIssue> | undefined {
  const issues = (cause as { issues?: Issue[] } | undefined)?.issues;
  if (!Array.isArray(issues)) return undefined;
  const out: Record<string, FieldIssue> = {};
  for (const i of issues) {
    const path = (i.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.') || '_';
    const req = typeof i.requirement === 'number' || typeof i.requirement === 'string' ? i.requirement
      : i.requirement instanceof Date ? i.requirement.toISOString() : undefined;
    out[path] ??= { type: i.type ?? 'custom', ...(req !== undefined ? { requirement: req } : {}) };
  }
  return out;
}
