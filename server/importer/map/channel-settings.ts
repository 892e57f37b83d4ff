// Where One API keeps each vendor's settings, and where Switchboard's provider for the same type
// expects them (songquanpeng/one-api model/channel.go ChannelConfig, the relay/adaptor/* that read
// it, and web/default/src/pages/Channel/EditChannel.js, which also packs some of them into `key`,
// at commit 8df4a2670b98266bd287c698243fff327d9748cf). Credentials move from `config` into the
// sealed key pool, so they are encrypted at rest like every other upstream key.

export interface ChannelSettings {
  config: Record<string, string>;
  keys: string[];
  /** Model name → the vendor's own id, where One API's adaptor translated it internally. */
  vendorMapping: Record<string, string>;
  /** Credential values that were in `config` (for redaction; they now live in `keys`). */
  secrets: string[];
  notes: string[];
}

const VERTEX = 42;
const AWS = 33;
const CLOUDFLARE = 37;
const COZE = 34;

// One API's AWS adaptor sends Bedrock model ids, not the names clients use
// (relay/adaptor/aws/claude/main.go and aws/llama3/main.go, AwsModelIDMap).
const AWS_MODEL_IDS: Record<string, string> = {
  'claude-instant-1.2': 'anthropic.claude-instant-v1',
  'claude-2.0': 'anthropic.claude-v2',
  'claude-2.1': 'anthropic.claude-v2:1',
  'claude-3-haiku-20240307': 'anthropic.claude-3-haiku-20240307-v1:0',
  'claude-3-sonnet-20240229': 'anthropic.claude-3-sonnet-20240229-v1:0',
  'claude-3-opus-20240229': 'anthropic.claude-3-opus-20240229-v1:0',
  'claude-3-5-sonnet-20240620': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  'claude-3-5-sonnet-20241022': 'anthropic.claude-3-5-sonnet-20241022-v2:0',
  'claude-3-5-sonnet-latest': 'anthropic.claude-3-5-sonnet-20241022-v2:0',
  'claude-3-5-haiku-20241022': 'anthropic.claude-3-5-haiku-20241022-v1:0',
  'llama3-8b-8192': 'meta.llama3-8b-instruct-v1:0',
  'llama3-70b-8192': 'meta.llama3-70b-instruct-v1:0',
};

export function channelSettings(type: number, config: Record<string, string>, keys: string[], models: string[] = [], mapping: Record<string, string> = {}): ChannelSettings {
  const out: ChannelSettings = { config: { ...config }, keys, vendorMapping: {}, secrets: [], notes: [] };
  const take = (field: string): string => {
    const v = out.config[field]?.trim() ?? '';
    delete out.config[field];
    if (v) out.secrets.push(v);
    return v;
  };
  switch (type) {
    case VERTEX: {
      // config.{region, vertex_ai_project_id, vertex_ai_adc}; the console also stores
      // `region|project|adc` as the key. Switchboard: key = the service-account JSON,
      // config.region and config.project_id.
      const packed = keys.map(splitVertexKey).find((k) => k !== null) ?? null;
      const adc = take('vertex_ai_adc') || packed?.adc || '';
      const project = (out.config.vertex_ai_project_id ?? '').trim() || packed?.project || projectOf(adc);
      delete out.config.vertex_ai_project_id;
      const region = (out.config.region ?? '').trim() || packed?.region || '';
      if (project) out.config.project_id = project;
      if (region) out.config.region = region;
      if (adc) out.keys = [adc];
      else out.notes.push('Vertex AI channel has no service-account JSON (config.vertex_ai_adc): it cannot sign in until one is set as its key');
      if (!region) out.notes.push('Vertex AI channel has no region: Switchboard uses us-central1');
      break;
    }
    case AWS: {
      // config.{ak, sk, region}; One API's console also writes `ak|sk|region` into key.
      const ak = take('ak');
      const sk = take('sk');
      const region = (out.config.region ?? '').trim();
      if (ak && sk) out.keys = [`${ak}|${sk}${region ? `|${region}` : ''}`];
      for (const m of models) {
        const sent = mapping[m] || m;
        const id = AWS_MODEL_IDS[sent];
        if (id) out.vendorMapping[m] = id;
      }
      break;
    }
    case CLOUDFLARE: {
      // config.user_id is the account id in the URL (relay/adaptor/cloudflare/adaptor.go).
      const account = (out.config.user_id ?? '').trim();
      delete out.config.user_id;
      if (account && !out.config.account_id) out.config.account_id = account;
      if (!out.config.account_id) out.notes.push('Cloudflare channel has no account id (config.user_id): its URL cannot be built until one is set');
      break;
    }
    case COZE:
      // config.user_id is sent as the request's `user` (relay/adaptor/coze/adaptor.go); kept as is.
      break;
  }
  return out;
}

/** `region|project|{…json…}` as One API's console packs a Vertex key; the JSON may itself hold `|`. */
function splitVertexKey(key: string): { region: string; project: string; adc: string } | null {
  const first = key.indexOf('|');
  const second = first < 0 ? -1 : key.indexOf('|', first + 1);
  if (second < 0) return key.trim().startsWith('{') ? { region: '', project: '', adc: key.trim() } : null;
  const adc = key.slice(second + 1).trim();
  if (!adc.startsWith('{')) return null;
  return { region: key.slice(0, first).trim(), project: key.slice(first + 1, second).trim(), adc };
}

function projectOf(adc: string): string {
  try {
    const j = JSON.parse(adc) as { project_id?: unknown };
    return typeof j.project_id === 'string' ? j.project_id : '';
  } catch {
    return '';
  }
}
