export { flattenInfo, infoNumber, parseInfo } from './info.js';
export { pairsToRecord } from './sentinel-replies.js';
export { describeRedisError, RedisCallError } from './errors.js';
export {
  accessOptions,
  OPEN_ACCESS,
  passwordAccess,
  redisCliFlags,
  sentinelModeOptions,
} from './access.js';
export type { Access, TlsSettings } from './access.js';
export { certificateOf } from './certificate.js';
export { reconnectDelay, RedisLink } from './link.js';
export type { LinkOptions } from './link.js';
export { Subscription } from './subscription.js';
export type { MessageHandler } from './subscription.js';
export { computeLag, readDataNode } from './node-reader.js';
export { monitoredMasters, readSentinel } from './sentinel-reader.js';
export type { SentinelReading } from './sentinel-reader.js';
export { startDebugSleep } from './debug-sleep.js';
export { readClusterNode } from './cluster-reader.js';
export type { ClusterReading } from './cluster-reader.js';
export {
  buffersReply,
  hostPortReply,
  integerReply,
  ReplyShapeError,
  roleReply,
  stringsReply,
  textReply,
} from './reply-shape.js';
export { HeardConnector } from './connector.js';
