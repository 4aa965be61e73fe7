import { serve } from './http/serve.js';

/** Entry point: `npm start`. */
serve();
