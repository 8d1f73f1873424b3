// On a phone the SOS button is a bar across the bottom of the screen, and the page keeps room for it (sos.css). A text box
// the browser scrolls to on its own when it gets focus is only brought up far enough for its caret line: the rest of a
// tall box would stay behind the bar. Bring the whole field above it instead (scrollIntoView honours the page's
// scroll-padding, which is the bar's height). Without JavaScript the first line still shows.
document.addEventListener('focusin', e => {
  if (e.target instanceof Element && e.target.matches('textarea, input, select')) e.target.scrollIntoView({ block: 'nearest' });
});
