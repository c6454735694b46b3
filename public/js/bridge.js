// The bridge page's delay, counted down where the reader can see it and stopped if they choose to stay
// (a meta refresh cannot be stopped). Without script, the page's <noscript> refresh does the same trip.
(function () {
  'use strict';
  var wait = document.getElementById('bridge-wait');
  var stay = document.getElementById('bridge-stay');
  if (!wait) return;
  var left = Number(wait.getAttribute('data-delay')) || 0;
  var target = wait.getAttribute('data-target');
  var timer = null;
  function say() {
    wait.textContent = 'Taking you there in ' + left + ' second' + (left === 1 ? '' : 's') + '…';
  }
  function tick() {
    left -= 1;
    if (left <= 0) {
      clearInterval(timer);
      // replace: Back from the destination returns to the page before the link, not to a page that leaves again
      window.location.replace(target);
      return;
    }
    say();
  }
  timer = setInterval(tick, 1000);
  if (stay) {
    stay.hidden = false;
    stay.addEventListener('click', function () {
      clearInterval(timer);
      wait.textContent = 'Staying here. Continue when you are ready.';
      stay.hidden = true;
    });
  }
})();
