% rebase('layout.tpl')
<p class="back"><a href="/settings/api">&larr; API</a></p>
<h1>{{t('What the API offers')}}</h1>
<p class="meta">{{t('Every call sends the header Authorization: Bearer followed by a token; the token needs the scope named. Errors come as problem details (RFC 9457); lists come a page at a time: follow next.')}} {{t("A program reads the same, as OpenAPI 3.1, at")}} <code translate="no">{{prefix}}/openapi.json</code>.</p>
% for method, path, scopes, summary in rows:
<section class="card">
  <h2><code translate="no">{{method}} {{path}}</code></h2>
  <p>{{t(summary)}}</p>
  <p class="meta">{{t('Scope')}}: <span translate="no">{{', '.join(scopes)}}</span></p>
</section>
% end
