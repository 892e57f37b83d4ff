// GET /v1/models and /v1/models/{id}: the models this key can actually reach, from the
// channels that are configured and enabled, never from a built-in list.
import type { Gateway } from '../context.ts';
import type { KeyHolder } from './auth.ts';
import { candidates } from './select-channel.ts';

export interface ModelCard {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export function modelsFor(gw: Gateway, p: KeyHolder): ModelCard[] {
  const groups = p.key.groups ?? [p.user.group];
  const out: ModelCard[] = [];
  for (const model of gw.store.models()) {
    if (p.key.models && !p.key.models.has(model)) continue;
    const list = candidates(gw.store, model, { groups });
    if (list.length === 0) continue;
    out.push({ id: model, object: 'model', created: 0, owned_by: list[0]!.provider.id });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
