// Runs before first paint (a blocking script in <head>), so a dark-theme user never sees a white flash.
try {
  var chosen = localStorage.getItem('shipline.theme');
  if (chosen === 'light' || chosen === 'dark') document.documentElement.dataset.theme = chosen;
} catch (e) {
  // Storage refused (a private window): the system theme applies.
}
