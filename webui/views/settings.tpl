% rebase('layout.tpl')
<h1>{{t('Keywords and replies')}}</h1>
<nav class="settings-links"><a href="/settings/shop">{{t('Shop settings')}}</a> <a href="/suppliers">{{t('Suppliers')}}</a> <a href="/settings/answers">{{t('Staff-made answers')}}</a> <a href="/settings/modem">{{t('Modem')}}</a> <a href="/settings/users">{{t('Users')}}</a> <a href="/settings/audit">{{t('Audit log')}}</a> <a href="/settings/backup">{{t('Backup')}}</a> <a href="/settings/update">{{t('Update')}}</a> <a href="/settings/api">API</a> <a href="/settings/webhooks">{{t('Webhooks')}}</a></nav>
<p class="meta">{{t('What customers text, and what the box answers, grouped by what they are for. Open a group to change it; one Save at the bottom keeps every change.')}}</p>
<form method="get" action="/settings" class="search replies-search" role="search">
  <label for="replies-q">{{t('Search by name, keyword or text')}}</label>
  <div class="search-row"><input type="search" id="replies-q" name="q" value="{{q}}" maxlength="100" data-filter="replies-form" autocomplete="off">
  <button type="submit">{{t('Search')}}</button></div>
  % if q:
  <p class="meta">{{t('{n} found for “{q}”.').format(n=found, q=q)}} <a href="/settings">{{t('Show all')}}</a></p>
  % end
</form>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<p class="empty" data-none {{'' if not sections else 'hidden'}}>{{t('Nothing found. Try another word.')}}</p>
<form method="post" action="/settings" id="replies-form" class="replies">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="q" value="{{q}}">
  % for s in sections:
  <details class="card purpose" id="g-{{s['id']}}" data-group {{'open' if s['open'] else ''}}>
    <summary><span class="title">{{s['title']}}</span> <span class="meta count">{{t('{n} replies').format(n=len(s['replies']))}}{{(' · ' + t('{n} keywords').format(n=len(s['keywords']))) if s['keywords'] else ''}}</span></summary>
    % for k in s['keywords']:
    <div class="item keyword" data-search="{{k['search']}}">
      <h3>{{t('Keyword')}}: {{k['label']}}</h3>
      <p class="meta">{{t('Words separated by commas. Capitals, dots and small typos are forgiven anyway.')}}</p>
      <div class="pair">
      % for f in k['fields']:
        <div class="lang">
          <label for="{{f['name']}}">{{t('Indonesian') if f['lang'] == 'id' else t('English')}}</label>
          <input id="{{f['name']}}" name="{{f['name']}}" value="{{f['value']}}" maxlength="1000" autocapitalize="none" {{!'aria-invalid="true"' if f['error'] else ''}}>
          % if f['error']:
          <p class="error field-error">{{f['error']}}</p>
          % end
        </div>
      % end
      </div>
    </div>
    % end
    % for r in s['replies']:
    <div class="item reply" data-search="{{r['search']}}">
      <h3>{{r['label']}}</h3>
      % if r['when']:
      <p class="meta when">{{t('Sent when:')}} {{r['when']}}</p>
      % end
      <div class="pair">
      % for f in r['fields']:
        <div class="lang">
          <label for="{{f['name']}}">{{t('Indonesian') if f['lang'] == 'id' else t('English')}}{{(' · ' + t('changed')) if f['edited'] else ''}}</label>
          <textarea id="{{f['name']}}" name="{{f['name']}}" rows="4" data-sms lang="{{f['lang']}}" data-reply="{{r['key']}}" data-lang="{{f['lang']}}" placeholder="{{f['default']}}" {{!'aria-invalid="true"' if f['error'] else ''}}>{{f['value']}}</textarea>
          <p class="sms-line {{'warn' if f['preview']['warn'] else ''}}" data-line>{{f['preview']['line']}}</p>
          <p class="meta sms-note" data-note {{'' if f['preview']['note'] else 'hidden'}}>{{f['preview']['note']}}</p>
          <p class="error field-error" data-problem {{'' if f['error'] else 'hidden'}}>{{f['error']}}</p>
          <details class="sample"><summary>{{t('As the customer reads it')}}</summary><p class="bubble" data-sample data-sms lang="{{f['lang']}}">{{f['preview']['text']}}</p></details>
        </div>
      % end
      </div>
      <p class="meta placeholders">{{t('Placeholders:')}} <code data-sms>{{' '.join('{' + p + '}' for p in r['placeholders']) or '–'}}</code> · {{t('Empty: back to the original text.')}}</p>
    </div>
    % end
  </details>
  % end
  <div class="savebar"><button type="submit" class="primary">{{t('Save changes')}}</button></div>
</form>
