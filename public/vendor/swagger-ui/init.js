// Starts Swagger UI on /docs. A file rather than an inline <script> because
// pages send CSP script-src 'self'. The spec URL comes from the page so the
// server stays the one place that knows it.
window.addEventListener('load', function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-spec-url') || '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // no badge fetched from validator.swagger.io: the appliance works offline
    validatorUrl: null,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
});
