import { serve } from '../../src/http/serve.js';

/**
 * The benchmark's N+1 baseline: the server as `npm start` runs it, except that every lazy field
 * (creator, labels, usage, transcript) loads once per parent instead of once per page.
 */
serve({ loaders: { batch: false } });
