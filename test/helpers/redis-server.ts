/**
 * Tests get a real redis-server from the same launcher the benchmarks use (free port, temporary directory,
 * stopped afterwards; a clear error when redis-server is missing — never a skipped test).
 */
export { startRedisServer, type RedisServer } from '../../bench/redis-server.js';
