/**
 * Values made once per (route, method, status code) and found again through nested Maps, so a
 * lookup on the request path builds no key string. The request hooks keep each response's series
 * and access-line part in one.
 */
export class NestedCache<A, B, C, V> {
  private readonly map = new Map<A, Map<B, Map<C, V>>>();

  /** @param create makes the value for keys seen the first time (not a closure per call). */
  constructor(private readonly create: (a: A, b: B, c: C) => V) {}

  get(a: A, b: B, c: C): V {
    let byB = this.map.get(a);
    let byC = byB?.get(b);
    let value = byC?.get(c);
    if (value === undefined) {
      value = this.create(a, b, c);
      if (byB === undefined) this.map.set(a, (byB = new Map()));
      if (byC === undefined) byB.set(b, (byC = new Map()));
      byC.set(c, value);
    }
    return value;
  }
}
