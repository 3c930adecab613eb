// Loaded before require.js and the widget manager on pages with widgets
// (nb_ipywidgets_js in _config.yml); book/_ext/vendor.py publishes it as
// _static/course/widgets-setup.js, beside _static/npm/.
(function () {
  // require.js reads this object as its configuration. The widget manager
  // finds its icon fonts next to the URL of its own module, which would
  // otherwise be taken as relative to the page.
  var widgets = new URL("../npm/widgets", document.currentScript.src).href;
  window.require = { paths: { "@jupyter-widgets/html-manager/dist": widgets } };

  // Widgets typeset their labels with MathJax 2's MathJax.Hub.Queue; the site
  // serves MathJax 3, so give them that one call.
  document.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (mathjax && mathjax.typesetPromise && !mathjax.Hub) {
      mathjax.Hub = {
        Queue: function (job) {
          mathjax.typesetPromise([job[2]]);
        },
      };
    }
  });
})();
