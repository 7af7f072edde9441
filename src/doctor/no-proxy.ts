/** NO_PROXY as a send reads it: doctor reports what the transport will really do (src/api/transports/no-proxy.ts). */
export { noProxyExempts } from '../api/transports/no-proxy.js';
