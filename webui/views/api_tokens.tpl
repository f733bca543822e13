% rebase('layout.tpl')
<p class="back"><a href="/settings">&larr; {{t('Settings')}}</a></p>
<h1>API</h1>
<p class="meta">{{t('Tokens let the shop\'s other programs (the till, the online shop) send texts and read customers through the JSON API. A token never opens these pages.')}} <a href="/settings/api/docs">{{t('What the API offers')}}</a></p>
% if error:
<p class="error" role="alert">{{t(error)}}</p>
% end
% if secret:
<p class="flash warn" role="status">{{t('The new token, shown once — copy it into the program now:')}} <code class="hash" translate="no">{{secret}}</code></p>
% end
% for tk in rows:
<section class="card {{'off' if state(tk) != 'active' else ''}}">
  <h2><code translate="no">{{tk.prefix}}</code> · {{t(state(tk))}}</h2>
  <p>{{tk.note}}</p>
  <p class="meta">{{t('May')}}: <span translate="no">{{', '.join(tk.scopes.split(','))}}</span> · {{t('{n} requests a minute').format(n=number(tk.per_minute))}}</p>
  <p class="meta">{{t('Made')}} {{when(tk.created_at)}} · {{t('Expires')}} {{when(tk.expires_at) if tk.expires_at else t('never')}} · {{t('Last used')}} {{when(tk.last_used_at) if tk.last_used_at else t('never')}}</p>
  % if tk.revoked_at is None:
  <form method="post" action="/settings/api/{{tk.id}}/revoke">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <button type="submit" data-confirm="{{t('Revoke this token? Programs using it are refused at once.')}}">{{t('Revoke')}}</button>
  </form>
  % end
</section>
% end
% if not rows:
<p class="empty">{{t('No tokens yet.')}}</p>
% end
<details class="card" {{'open' if error or not rows else ''}}><summary>{{t('New token')}}</summary>
<form method="post" action="/settings/api">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t('Note (which program, who set it up)')}} <input name="note" maxlength="200"></label>
  <fieldset><legend>{{t('What it may do')}}</legend>
  % for name, words in scopes:
    <label class="check"><input type="checkbox" name="scope_{{name}}" value="1"> <code translate="no">{{name}}</code>: {{t(words)}}</label>
  % end
  </fieldset>
  <label>{{t('Expires after')}} <select name="days">
  % for d in days:
    <option value="{{d}}" {{'selected' if d == 90 else ''}}>{{t('{n} days').format(n=d) if d else t('never')}}</option>
  % end
  </select></label>
  <label>{{t('Requests per minute')}} <input name="per_minute" value="600" inputmode="numeric" maxlength="6"></label>
  <button type="submit" class="primary">{{t('Make the token')}}</button>
</form></details>
