/**
 * The parts of undici the transport uses, each from its own module. `import { Agent } from
 * 'undici'` would put all of undici in the bundle and evaluate it at the first request — fetch,
 * WebSocket, caches, mocks, cookies: about 600 KB of the 2.4 MB bundle and two thirds of
 * undici's start-up — for four classes. Requests go through undici's own `request` (what its
 * index adds to every Dispatcher), called on the dispatcher, so a dispatcher made elsewhere
 * (a test's) works the same.
 */
import type * as undici from 'undici';
import AgentModule from 'undici/lib/dispatcher/agent.js';
import ClientModule from 'undici/lib/dispatcher/client.js';
import PoolModule from 'undici/lib/dispatcher/pool.js';
import connectModule from 'undici/lib/core/connect.js';
import requestModule from 'undici/lib/api/api-request.js';

export const Agent = AgentModule as typeof undici.Agent;
export const Client = ClientModule as typeof undici.Client;
export const Pool = PoolModule as typeof undici.Pool;
export const buildConnector = connectModule as typeof undici.buildConnector;
export type Agent = undici.Agent;
export type Client = undici.Client;
export type Pool = undici.Pool;
export type AgentOptions = undici.Agent.Options;

/** `dispatcher.request(options)` of undici's index, without it. */
export function request(
  dispatcher: undici.Dispatcher,
  options: undici.Dispatcher.RequestOptions,
): Promise<undici.Dispatcher.ResponseData> {
  return (
    requestModule as (
      this: undici.Dispatcher,
      o: undici.Dispatcher.RequestOptions,
    ) => Promise<undici.Dispatcher.ResponseData>
  ).call(dispatcher, options);
}
