/*
 * GET /openapi.json and GET /docs (SPEC §11). Both serve what the
 * generation prepared: the document, and Swagger UI's files read from
 * swagger_ui_path at start and reload, so a request never touches the
 * disk. The page runs no inline script (its start-up is /docs/init.js),
 * which lets its Content-Security-Policy allow scripts from this origin
 * only; with swagger_ui_cdn and no local files it loads a pinned public
 * copy instead, checked by Subresource Integrity.
 */
#include <string.h>

#include "handler.h"
#include "response.h"

/* The public copy: the same version, and the same bytes, as the
 * swagger-ui-dist that tests/js/package-lock.json pins. */
#define DOCS_CDN      "https://cdn.jsdelivr.net"
#define DOCS_CDN_BASE DOCS_CDN "/npm/swagger-ui-dist@5.35.0"
#define DOCS_CDN_JS_IN                                                         \
	"sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+"                            \
	"j0d0sXw0MdGEfScduGpSyF3ZSSLkX9"
#define DOCS_CDN_CSS_IN                                                        \
	"sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+"                \
	"KuRNwBhoxKVN1i3D5I"

/*
 * Only what the page needs: its own scripts and styles, the data: images
 * Swagger UI's stylesheet embeds, and requests to this origin (the
 * document and "Try it out"). No frames, forms, plugins or base URL.
 */
static const char docs_csp_self[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";
static const char docs_csp_cdn[] =
    "default-src 'none'; script-src 'self' " DOCS_CDN "; style-src " DOCS_CDN
    "; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

/* validatorUrl null: Swagger UI would otherwise send the document to a
 * public validator. */
static const char docs_init_js[] =
    "window.addEventListener(\"load\", function () {\n"
    "\twindow.ui = SwaggerUIBundle({\n"
    "\t\turl: \"/openapi.json\",\n"
    "\t\tdom_id: \"#swagger-ui\",\n"
    "\t\tdeepLinking: true,\n"
    "\t\tvalidatorUrl: null\n"
    "\t});\n"
    "});\n";

void
la_handler_openapi(struct la_req *r)
{
	const struct la_buf *doc = &r->ctx->gen->openapi;

	la_buf_reset(r->resp.body);
	la_buf_append(r->resp.body, doc->data, doc->len);
	la_resp_json(&r->resp, 200);
}

static void
docs_html_text(struct la_buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '<':
			la_buf_puts(b, "&lt;");
			break;
		case '>':
			la_buf_puts(b, "&gt;");
			break;
		case '&':
			la_buf_puts(b, "&amp;");
			break;
		case '"':
			la_buf_puts(b, "&quot;");
			break;
		default:
			la_buf_putc(b, *s);
		}
}

static void
docs_page(struct la_req *r)
{
	const struct la_gen *g = r->ctx->gen;
	struct la_buf *b = r->resp.body;
	int local = g->docs_js.len > 0;

	la_buf_reset(b);
	la_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	               "<meta charset=\"utf-8\">\n<title>");
	docs_html_text(b, g->conf->swagger_title);
	la_buf_puts(b, "</title>\n");
	if (!local && !g->conf->swagger_ui_cdn) {
		/* Say what is missing where an administrator will look. */
		la_buf_puts(b, "</head>\n<body>\n<p>Swagger UI's files "
		               "(swagger-ui-bundle.js, swagger-ui.css) are not "
		               "in ");
		docs_html_text(b, g->docs_dir);
		la_buf_puts(b, "; see swagger_ui_path in lightapi.yaml(5). The "
		               "document is at <a href=\"/openapi.json\">"
		               "/openapi.json</a>.</p>\n</body>\n</html>\n");
		la_resp_header(&r->resp, "Content-Security-Policy",
		    "default-src 'none'");
		la_resp_body(&r->resp, 503, LA_CT_HTML);
		return;
	}
	if (local)
		la_buf_puts(b, "<link rel=\"stylesheet\" "
		               "href=\"/docs/swagger-ui.css\">\n");
	else
		la_buf_puts(b, "<link rel=\"stylesheet\" href=\"" DOCS_CDN_BASE
		               "/swagger-ui.css\" integrity=\"" DOCS_CDN_CSS_IN
		               "\" crossorigin=\"anonymous\">\n");
	la_buf_puts(b, "</head>\n<body>\n<div id=\"swagger-ui\"></div>\n");
	if (local)
		la_buf_puts(b, "<script src=\"/docs/swagger-ui-bundle.js\">"
		               "</script>\n");
	else
		la_buf_puts(b,
		    "<script src=\"" DOCS_CDN_BASE
		    "/swagger-ui-bundle.js\" integrity=\"" DOCS_CDN_JS_IN
		    "\" crossorigin=\"anonymous\"></script>\n");
	la_buf_puts(b, "<script src=\"/docs/init.js\"></script>\n"
	               "</body>\n</html>\n");
	la_resp_header(&r->resp, "Content-Security-Policy",
	    local ? docs_csp_self : docs_csp_cdn);
	la_resp_body(&r->resp, 200, LA_CT_HTML);
}

static void
docs_file(struct la_req *r, const char *data, size_t len, enum la_ctype ct)
{
	if (len == 0) {
		la_resp_fail(&r->resp, LA_ERR_NOT_FOUND, "not found");
		return;
	}
	la_buf_reset(r->resp.body);
	la_buf_append(r->resp.body, data, len);
	/* The files change only with a reload. */
	la_resp_header(&r->resp, "Cache-Control", "max-age=3600");
	la_resp_body(&r->resp, 200, ct);
}

void
la_handler_docs(struct la_req *r)
{
	const struct la_gen *g = r->ctx->gen;
	const char *p = r->route->path;

	la_resp_header(&r->resp, "X-Content-Type-Options", "nosniff");
	if (strcmp(p, "/docs/init.js") == 0)
		docs_file(r, docs_init_js, sizeof(docs_init_js) - 1, LA_CT_JS);
	else if (strcmp(p, "/docs/swagger-ui-bundle.js") == 0)
		docs_file(r, g->docs_js.data, g->docs_js.len, LA_CT_JS);
	else if (strcmp(p, "/docs/swagger-ui.css") == 0)
		docs_file(r, g->docs_css.data, g->docs_css.len, LA_CT_CSS);
	else
		docs_page(r);
}
