import type { Store } from '../store.ts';

/**
 * The store with some methods replaced (to watch them, or to make one fail); every other call goes to the
 * store itself, bound to it, for its methods read private fields a proxy does not have.
 */
export function storeWith(store: Store, overrides: Partial<Store>): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (Object.hasOwn(overrides, prop)) return Reflect.get(overrides, prop);
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
