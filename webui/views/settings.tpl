% rebase('layout.tpl')
<h1>{{t('Settings')}}</h1>
<p><a href="/settings/shop">Shop, hours, services, goods, points, SLA</a> · <a href="/settings/answers">{{t('Staff-made answers')}}</a> · <a href="/settings/modem">{{t('Modem')}}</a> · <a href="/settings/users">{{t('Users')}}</a> · <a href="/settings/audit">{{t('Audit log')}}</a> · <a href="/settings/backup">Backup</a> · <a href="/settings/update">{{t('Update')}}</a></p>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<section class="card">
  <h2>Keywords customers text</h2>
  <p class="meta">Comma-separated words per language. Case, punctuation and small typos are forgiven anyway.</p>
  % for keyword, by_lang in sorted(keywords.items()):
  % for lang in ('id', 'en'):
  <form method="post" action="/settings/keywords" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input type="hidden" name="keyword" value="{{keyword}}"><input type="hidden" name="language" value="{{lang}}">
    <label>{{keyword}} ({{lang}}) <input name="aliases" value="{{', '.join(by_lang.get(lang, ()))}}" maxlength="1000"></label>
    <button type="submit">{{t('Save')}}</button>
  </form>
  % end
  % end
</section>
<section class="card">
  <h2>Replies</h2>
  <p class="meta">Placeholders in braces, such as {shop} and {name}, are filled in when the reply is sent. Empty: back to the default.</p>
  % for key, by_lang in templates.items():
  % for lang in ('id', 'en'):
  <form method="post" action="/settings/templates" class="template-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input type="hidden" name="key" value="{{key}}"><input type="hidden" name="language" value="{{lang}}">
    <label for="tpl-{{key}}-{{lang}}">{{key}} ({{lang}})</label>
    <textarea id="tpl-{{key}}-{{lang}}" name="text" rows="2" maxlength="640" data-preview="preview-{{key}}-{{lang}}">{{by_lang[lang]}}</textarea>
    <p id="preview-{{key}}-{{lang}}" class="meta preview-line"></p>
    <button type="submit">{{t('Save')}}</button>
  </form>
  % end
  % end
</section>
