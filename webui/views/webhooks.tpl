% rebase('layout.tpl')
<p class="back"><a href="/settings">&larr; {{t('Settings')}}</a></p>
<h1>{{t('Webhooks')}}</h1>
<p class="meta">{{t('Another program (the till, the online store, head office) hears of the shop\'s events: Loket sends each one to its address as signed JSON, again and again until it answers 2xx. See docs/webhooks.md.')}}</p>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
% if secret:
<p class="flash warn" role="status">{{t('The secret for {url}, shown once — copy it into the receiving program:').format(url=secret[0])}} <code id="hook-secret" translate="no">{{secret[1]}}</code></p>
% end
% for h in hooks:
<section class="card hook{{'' if h.enabled else ' off'}}" id="hook-{{h.id}}">
  <h2><span translate="no">{{h.url}}</span>{{'' if h.enabled else ' (' + t('off') + ')'}}</h2>
  <form method="post" action="/settings/webhooks/{{h.id}}">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label>{{t('Address')}} <input name="url" value="{{h.url}}" required maxlength="2000" inputmode="url" autocapitalize="none"></label>
    <fieldset><legend>{{t('Events')}}</legend>
    % chosen = h.events.split()
    % for e in events:
      <label class="check"><input type="checkbox" name="events" value="{{e}}" {{'checked' if e in chosen else ''}}> {{t(labels[e])}} <code translate="no">{{e}}</code></label>
    % end
    </fieldset>
    <label>{{t('Note')}} <input name="note" value="{{h.note}}" maxlength="200"></label>
    <label class="check"><input type="checkbox" name="enabled" value="1" {{'checked' if h.enabled else ''}}> {{t('On')}}</label>
    <div class="buttons">
      <button type="submit" class="primary" name="action" value="save">{{t('Save')}}</button>
      <button type="submit" name="action" value="secret" formnovalidate data-confirm="{{t('Make a new secret? The receiving program must get it: deliveries are signed with the new one from now on.')}}">{{t('New secret')}}</button>
      <button type="submit" name="action" value="remove" formnovalidate data-confirm="{{t('Remove this webhook and its delivery log?')}}">{{t('Remove')}}</button>
    </div>
  </form>
  <h3>{{t('Deliveries')}}</h3>
  % log = logs[h.id]
  % if log:
  <table>
  <thead><tr><th>{{t('Time')}}</th><th>{{t('Event')}}</th><th>{{t('Result')}}</th><th>{{t('Attempts')}}</th><th>{{t('Next try')}}</th><th></th></tr></thead>
  <tbody>
  % for d in log:
  <tr class="delivery {{d.state}}">
    <td>{{when(d.created_at)}}</td>
    <td><code translate="no">{{d.event}}</code></td>
    <td>{{label(d.state)}}
    % if describe(d):
    · <span translate="no">{{describe(d)}}</span>
    % end
    </td>
    <td>{{number(d.attempts)}}</td>
    <td>{{when(d.next_at) if d.state == 'pending' else ''}}</td>
    <td>
    % if d.state in ('delivered', 'failed'):
      <form method="post" action="/settings/webhooks/deliveries/{{d.id}}" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">{{t('Send again')}}</button>
      </form>
    % end
    </td>
  </tr>
  % end
  </tbody></table>
  % else:
  <p class="empty">{{t('Nothing sent yet.')}}</p>
  % end
</section>
% end
<details class="card" id="new"{{!' open' if not hooks or form['url'] else ''}}><summary>{{t('Add a webhook')}}</summary>
<form method="post" action="/settings/webhooks">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t('Address')}} (<code translate="no">http://</code> {{t('or')}} <code translate="no">https://</code>) <input name="url" value="{{form['url']}}" required maxlength="2000" inputmode="url" autocapitalize="none" placeholder="https://example.com/loket" translate="no"></label>
  <fieldset><legend>{{t('Events')}}</legend>
  % for e in events:
    <label class="check"><input type="checkbox" name="events" value="{{e}}" {{'checked' if e in form['events'] else ''}}> {{t(labels[e])}} <code translate="no">{{e}}</code></label>
  % end
  </fieldset>
  <label>{{t('Note')}} <input name="note" value="{{form['note']}}" maxlength="200"></label>
  <button type="submit" class="primary">{{t('Add')}}</button>
</form></details>
