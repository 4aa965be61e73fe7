import type { Registry } from 'prom-client';
import { DEFAULT_LIVE, type LiveSettings } from '../config.js';
import type { Logger } from '../logger.js';
import { createLiveHub, type LiveHub } from './hub.js';
import { createSubscriptionRegistry, type SubscriptionRegistry } from './registry.js';

/** Everything live subscriptions need: the hub, the registry of open feeds and their settings. */
export interface Live {
  hub: LiveHub;
  registry: SubscriptionRegistry;
  settings: LiveSettings;
}

export function createLive(options: {
  logger: Logger;
  settings?: LiveSettings;
  metrics?: Registry;
  redisUrl?: string;
  channelPrefix?: string;
}): Live {
  const settings = options.settings ?? DEFAULT_LIVE;
  return {
    hub: createLiveHub(options),
    registry: createSubscriptionRegistry({
      maxPerToken: settings.maxSubscriptionsPerToken,
      logger: options.logger,
      metrics: options.metrics,
    }),
    settings,
  };
}
