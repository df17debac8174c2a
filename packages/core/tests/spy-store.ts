// A claim-check store that remembers the URLs it handed out, so a test can
// check what became of each uploaded blob (deleted or kept) after a failure.

import type { ClaimCheckStore } from "@natsbridge/core";

/** `inner`, named `name`, with every URL its `put` returned collected in `urls`. */
export function spyStore(inner: ClaimCheckStore, name = inner.name): ClaimCheckStore & { urls: string[] } {
  const urls: string[] = [];
  return {
    ...inner,
    name,
    urls,
    put: async (r) => {
      const u = await inner.put(r);
      urls.push(u.url);
      return u;
    },
  };
}
