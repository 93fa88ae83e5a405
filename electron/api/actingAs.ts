import type { Actor } from '../../shared/domain.ts';
import type { ApiContext } from './context.ts';
import type { InterfaceWords } from './interfaceWords.ts';

/**
 * The host's context, acting as someone else: what a request made with an API key runs under, so the
 * store audits the key, not the host's OS user, and in the words of the interface the request came by.
 * Everything else is read from the host's context at the moment it is used, so a store switch or an
 * engine toggled meanwhile is seen as the host sees it.
 */
export function actingAs(base: ApiContext, actor: Actor, words: InterfaceWords = base.words, hostHidden?: string): ApiContext {
  return {
    get store() {
      return base.store;
    },
    get registry() {
      return base.registry;
    },
    get engine() {
      return base.engine;
    },
    get env() {
      return base.env;
    },
    get settings() {
      return base.settings;
    },
    get runners() {
      return base.runners;
    },
    set runners(value) {
      base.runners = value;
    },
    get answeredBy() {
      return base.answeredBy;
    },
    get storeWatch() {
      return base.storeWatch;
    },
    actor,
    words,
    hostHidden,
  };
}
