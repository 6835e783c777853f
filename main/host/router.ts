// Channel → handler. The handler table is typed from the contract: every channel of
// requestSchemas must have a handler taking its validated arguments and returning its reply, so
// a channel added to the contract and forgotten here, or a handler of the wrong shape, is a
// compile error. Arguments are parsed here once; handlers never cast them.
import { requestSchemas, type Channel, type Replies, type RequestArgs } from '../contract.js';
import { ContractFailure, toContractError } from './errors.js';
import type { Session } from './session.js';

export type Handler<C extends Channel> = (args: RequestArgs<C>, session: Session) => Promise<Replies[C]> | Replies[C];
export type Handlers = { [C in Channel]: Handler<C> };

/** Answers one request for a session: the reply, or a ContractFailure carrying the contract error. */
export type Router = (channel: string, args: unknown, session: Session) => Promise<unknown>;

export function createRouter(handlers: Handlers): Router {
  const call = async <C extends Channel>(channel: C, raw: unknown, session: Session): Promise<Replies[C]> => {
    // zod infers a union over every channel here; the schema for `channel` yields RequestArgs<C>.
    const args = requestSchemas[channel].parse(raw ?? {}) as RequestArgs<C>;
    return handlers[channel](args, session);
  };
  return async (channel, raw, session) => {
    if (!Object.hasOwn(requestSchemas, channel)) throw new ContractFailure({ code: 'UNKNOWN_CHANNEL', message: `no channel "${channel.slice(0, 64)}"` });
    try {
      return await call(channel as Channel, raw, session);
    } catch (err) {
      throw new ContractFailure(toContractError(err));
    }
  };
}
