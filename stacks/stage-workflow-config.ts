/**
 * The workflow parts of a stage's config: promotion policies the gate enforces and the stage's notification webhook.
 * Kept apart from the infrastructure fields; stage-config.ts passes them through as written here.
 */

/** A freeze: no promotion into the stage while a window is open. */
export interface DenyWindow {
  /** When a window opens: five cron fields `minute hour day-of-month month day-of-week` (numbers, `*`, `a-b`, `a,b`; Sunday = 0). */
  schedule: string;
  /** How long each window stays open. */
  durationMinutes: number;
  /** IANA time zone the schedule is read in, e.g. "Europe/Berlin". */
  timeZone: string;
  /** Shown when the window refuses a promotion. */
  name?: string;
}

export interface PromotionPolicy {
  /** The upstream stage must have run the candidate verified for at least this long. @default 0 */
  soakMinutes?: number;
  /** A signed approval (`conngate approve`) for the exact candidate is needed. @default false */
  requireApproval?: boolean;
  denyWindows?: DenyWindow[];
}

export interface StageNotify {
  /** Where events are POSTed. */
  url: string;
  /** `json` (conngate's event object) or `slack` (a `{ text }` body Slack incoming webhooks accept). @default "json" */
  format?: 'json' | 'slack';
}

export const promotionPolicySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    soakMinutes: { type: 'integer', minimum: 0, maximum: 525600 },
    requireApproval: { type: 'boolean' },
    denyWindows: {
      type: 'array', maxItems: 50,
      items: {
        type: 'object', additionalProperties: false, required: ['schedule', 'durationMinutes', 'timeZone'],
        properties: {
          schedule: { type: 'string', minLength: 9, maxLength: 200 },
          durationMinutes: { type: 'integer', minimum: 1, maximum: 10080 },
          timeZone: { type: 'string', minLength: 1, maxLength: 64 },
          name: { type: 'string', maxLength: 100 },
        },
      },
    },
  },
} as const;

export const stageNotifySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', pattern: '^https?://', maxLength: 2000 },
    format: { enum: ['json', 'slack'] },
  },
} as const;
