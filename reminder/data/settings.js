// The one thing the page needs a script for: telling its process that it is open. The stream
// carries nothing; the browser closes it when this tab closes or moves on, and the page's
// process ends once no tab holds one. When the process has gone, the page says so.
"use strict";
(function () {
  if (!window.EventSource) return;
  const alive = new EventSource("/alive");
  alive.onerror = function () {
    if (alive.readyState === EventSource.CLOSED || alive.readyState === EventSource.CONNECTING) {
      const closed = document.getElementById("closed");
      if (closed) closed.hidden = false;
    }
  };
  alive.onopen = function () {
    const closed = document.getElementById("closed");
    if (closed) closed.hidden = true;
  };
})();
