// FastGPT's own zod schemas for AI Proxy's answers, copied so the replay tests validate our
// answers exactly as FastGPT does. Sources (labring/FastGPT):
// - packages/global/openapi/admin/system/model/api_channel.ts (id 68394978529 in the code
//   index; the OpenAPI schemas its AI Proxy routes parse with)
// - projects/app/src/pages/api/aiproxy/api/createChannel.ts @ 0545cdcaa17714418d8a4888e8d1f5990132912b
//   (the name-resolution schema it parses /api/channels/all with)
// - packages/service/thirdProvider/aiproxy/channel.ts @ 03c52243fa4cb395671caa9cb191e8093a469ea9
// - projects/app/src/global/aiproxy/type.ts @ 24f76129270e8b66fda92601ea2c30234fba12ae
//   (DashboardDataItemSchema, parsed per summary item by the dashboard page)
// `.meta()` descriptions are left out; they do not affect validation.
import { z } from 'zod';

// packages/global/common/zod: an integer.
const IntSchema = z.number().int();

export const CreateAdminAIProxyChannelBodySchema = z
  .object({
    name: z.string().trim().min(1),
    type: IntSchema.positive(),
    base_url: z.string().optional(),
    key: z
      .string()
      .refine((key) => key.split('\n').filter((line) => line.trim()).length <= 1, { message: 'Only one channel credential is supported' })
      .optional(),
    models: z.array(z.string().trim().min(1)).optional(),
    model_mapping: z.record(z.string(), z.unknown()).optional(),
    priority: IntSchema.positive().optional(),
  })
  .passthrough();

export const CreateAdminAIProxyChannelResponseSchema = z.discriminatedUnion('success', [
  z.object({ success: z.literal(true), data: z.object({ id: IntSchema.positive() }) }),
  z.object({ success: z.literal(false), message: z.string().optional() }),
]);

const AIProxyChannelConfigSchema = z.object({
  id: IntSchema.positive(),
  type: IntSchema.positive(),
  name: z.string(),
  base_url: z.string(),
  proxy_url: z.string().nullish(),
  models: z.array(z.string()),
  model_mapping: z.record(z.string(), z.unknown()).nullish(),
  configs: z.record(z.string(), z.unknown()).nullish(),
  key: z.string().optional(),
  status: IntSchema,
  priority: IntSchema,
  sets: z.array(z.string()).nullish(),
  enabled_auto_balance_check: z.boolean().optional(),
  balance_threshold: z.number().optional(),
  skip_tls_verify: z.boolean().optional(),
  enabled_no_permission_ban: z.boolean().optional(),
  warn_error_rate: z.number().optional(),
  max_error_rate: z.number().optional(),
  created_at: z.number().optional(),
});

export const GetAIProxyChannelListResponseSchema = z.object({
  success: z.literal(true),
  data: z.array(AIProxyChannelConfigSchema),
});

export const GetAIProxyChannelTypesResponseSchema = z.object({
  success: z.literal(true),
  data: z.record(z.string(), z.object({ defaultBaseUrl: z.string(), keyHelp: z.string(), name: z.string() })),
});

export const UpdateAIProxyChannelBodySchema = AIProxyChannelConfigSchema.omit({ id: true, created_at: true });

export const UpdateAIProxyChannelStatusBodySchema = z.object({
  status: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
});

export const AIProxyMutationResponseSchema = z.object({ success: z.literal(true) });

export const SearchAIProxyLogsQuerySchema = z.object({
  request_id: z.string().optional(),
  channel: IntSchema.positive().optional(),
  model_name: z.string().optional(),
  code_type: z.enum(['all', 'success', 'error']).optional(),
  start_timestamp: z.number(),
  end_timestamp: z.number(),
  p: IntSchema.positive().optional(),
  per_page: IntSchema.positive().optional(),
});

const AIProxyLogItemSchema = z.object({
  token_name: z.string(),
  model: z.string(),
  request_id: z.string(),
  id: IntSchema.positive(),
  channel: IntSchema.positive(),
  mode: IntSchema,
  created_at: z.number(),
  request_at: z.number(),
  code: IntSchema,
  usage: z.record(z.string(), z.number()).optional(),
  endpoint: z.string(),
  content: z.string().optional(),
  retry_times: IntSchema.optional(),
  ttfb_milliseconds: z.number().optional(),
  ip: z.string(),
});

export const SearchAIProxyLogsResponseSchema = z.object({
  success: z.literal(true),
  data: z.object({ logs: z.array(AIProxyLogItemSchema), total: IntSchema }),
});

export const GetAIProxyLogDetailResponseSchema = z.object({
  success: z.literal(true),
  data: z.object({ request_body: z.string(), response_body: z.string() }),
});

export const GetAIProxyDashboardQuerySchema = z.object({
  channel: IntSchema.positive().optional(),
  model: z.string().optional(),
  start_timestamp: z.number().optional(),
  end_timestamp: z.number().optional(),
  timezone: z.string(),
  timespan: z.enum(['day', 'hour', 'minute']),
});

/**
 * The OpenAPI document types summary items as numbers only, which AI Proxy's own answers
 * (SummaryDataV2 has `model: string`) do not satisfy; the dashboard page parses each item
 * with DashboardDataItemSchema instead, so the envelope is checked here and items there.
 */
export const GetAIProxyDashboardEnvelopeSchema = z.object({
  success: z.literal(true),
  data: z.array(z.object({ timestamp: z.number(), summary: z.array(z.record(z.string(), z.unknown())) })),
});

export const DashboardDataItemSchema = z.object({
  channel_id: z.number().optional(),
  model: z.string(),
  request_count: z.number().optional().default(0),
  used_amount: z.number().optional().default(0),
  exception_count: z.number().optional().default(0),
  total_time_milliseconds: z.number().optional().default(0),
  total_ttfb_milliseconds: z.number().optional().default(0),
  input_tokens: z.number().optional().default(0),
  output_tokens: z.number().optional().default(0),
  total_tokens: z.number().optional().default(0),
  max_rpm: z.number().optional().default(0),
  max_tpm: z.number().optional().default(0),
  cache_hit_count: z.number().default(0),
});

/** createChannel.ts: how FastGPT reads /api/channels/all to resolve a new channel's id by name. */
export const NamedChannelsSchema = z.object({
  success: z.literal(true),
  data: z.array(z.object({ id: z.number().int().positive(), name: z.string(), type: z.number() })),
});

/** thirdProvider/aiproxy/channel.ts: the channel snapshot FastGPT reads before it PUTs models back. */
export const AIProxyChannelSchema = z
  .object({
    id: z.number().int().positive(),
    models: z.array(z.string()),
    type: z.number().int(),
    name: z.string(),
    base_url: z.string().optional(),
    proxy_url: z.string().nullable().optional(),
    model_mapping: z.record(z.string(), z.unknown()).nullable().optional(),
    configs: z.record(z.string(), z.unknown()).nullable().optional(),
    key: z.string().optional(),
    status: z.number().int().optional(),
    priority: z.number().optional(),
    sets: z.array(z.string()).nullable().optional(),
    enabled_auto_balance_check: z.boolean().optional(),
    balance_threshold: z.number().optional(),
    skip_tls_verify: z.boolean().optional(),
    enabled_no_permission_ban: z.boolean().optional(),
    warn_error_rate: z.number().optional(),
    max_error_rate: z.number().optional(),
    created_at: z.number().optional(),
  })
  .passthrough();
