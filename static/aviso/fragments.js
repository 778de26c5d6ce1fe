/* Server-rendered fragments: a page re-reads part of itself as HTML rendered by the same
 * template the page was rendered with, so its markup and figures have one source (the server).
 *
 *   <div id="x" data-fragment-url="/…/fragment/">…</div>
 *   AvisoFragments.refresh(element)  // → Promise, resolved once the content is swapped in
 *
 * Refreshes of one element never overlap: asked again while one is in flight, it fetches once
 * more afterwards (bursts of notifications cost at most two requests), so what the element
 * shows is never older than the last ask.
 */
(function (global) {
  "use strict";

  const running = new WeakMap(); // element -> {again, done}

  async function load(element) {
    const response = await fetch(element.dataset.fragmentUrl, {
      credentials: "same-origin",
      headers: {Accept: "text/html"},
    });
    if (!response.ok) throw new Error(`fragment ${element.dataset.fragmentUrl}: ${response.status}`);
    element.innerHTML = await response.text();
  }

  function refresh(element) {
    const pending = running.get(element);
    if (pending) {
      pending.again = true;
      return pending.done;
    }
    const entry = {again: true, done: null};
    entry.done = (async function () {
      try {
        while (entry.again) {
          entry.again = false;
          try {
            await load(element);
          } catch (err) {
            console.warn("aviso:", err); // offline or signed out: the next reconnect re-reads
          }
        }
      } finally {
        running.delete(element);
      }
    })();
    running.set(element, entry);
    return entry.done;
  }

  global.AvisoFragments = {refresh: refresh};
})(window);
