// Swagger UI over /api/v1/openapi.json (the page's CSP allows scripts from our own origin only).
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    window.ui = window.SwaggerUIBundle({
      url: root.getAttribute("data-spec-url"),
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: false,  // a token pasted here is forgotten with the tab
      tryItOutEnabled: false,
      validatorUrl: null,  // never send the document to a third-party validator
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout"
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
