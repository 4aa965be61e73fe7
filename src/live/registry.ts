import { Counter, Gauge, type Registry } from 'prom-client';
import type { Principal } from '../auth/principal.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

export type SubscriptionKind = 'transcript' | 'sessionEvents';
/** Why a subscription ended: a bounded set, so it can be a metric label. */
export type EndReason = 'client' | 'complete' | 'access' | 'slow' | 'interrupted' | 'shutdown' | 'error';

export interface OpenSubscription {
  /** One event went out (counted in live_events_delivered_total). */
  delivered(): void;
  /** Idempotent: the first reason counts. */
  end(reason: EndReason): void;
}

/**
 * Open subscriptions: at most `maxPerToken` at once per token (in this process), one log line when
 * one starts and one when it ends, and the metrics live_subscriptions_open and
 * live_events_delivered_total (labelled by subscription only, and ends by reason).
 */
export interface SubscriptionRegistry {
  open(
    kind: SubscriptionKind,
    principal: Principal,
    fields: { requestId: string; workspaceId: string; sessionId?: string },
  ): OpenSubscription;
}

export function createSubscriptionRegistry({
  maxPerToken,
  logger,
  metrics,
}: {
  maxPerToken: number;
  logger: Logger;
  metrics?: Registry;
}): SubscriptionRegistry {
  const registers = metrics ? [metrics] : [];
  const open = new Gauge({ name: 'live_subscriptions_open', help: 'Open live subscriptions', labelNames: ['subscription'], registers });
  const delivered = new Counter({
    name: 'live_events_delivered_total',
    help: 'Events delivered to live subscribers',
    labelNames: ['subscription'],
    registers,
  });
  const ended = new Counter({
    name: 'live_subscriptions_ended_total',
    help: 'Live subscriptions that ended, by reason',
    labelNames: ['subscription', 'reason'],
    registers,
  });
  const perToken = new Map<string, number>();

  return {
    open(kind, principal, fields) {
      const count = perToken.get(principal.tokenId) ?? 0;
      if (count >= maxPerToken) {
        throw new AppError('RATE_LIMITED', `At most ${maxPerToken} live subscriptions at once per token; end one before starting another`);
      }
      perToken.set(principal.tokenId, count + 1);
      open.inc({ subscription: kind });
      const started = Date.now();
      let events = 0;
      let done = false;
      logger.info('subscription started', { subscription: kind, ...fields, tokenId: principal.tokenId });
      return {
        delivered() {
          events += 1;
          delivered.inc({ subscription: kind });
        },
        end(reason) {
          if (done) return;
          done = true;
          const left = (perToken.get(principal.tokenId) ?? 1) - 1;
          if (left > 0) perToken.set(principal.tokenId, left);
          else perToken.delete(principal.tokenId);
          open.dec({ subscription: kind });
          ended.inc({ subscription: kind, reason });
          logger.info('subscription ended', { subscription: kind, ...fields, reason, events, durationMs: Date.now() - started });
        },
      };
    },
  };
}
