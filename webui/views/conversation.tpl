% rebase('layout.tpl')
<p class="back"><a href="/inbox">&larr; {{t('Inbox')}}</a></p>
<h1>{{title}}</h1>
<p class="meta">{{phone_number(phone)}}
% if customer:
 · <a href="/customers/{{customer.id}}">{{t('Profile')}}</a> · {{t('Promotions')}}: {{t('yes' if customer.consent_marketing else 'no')}} · {{t('Reminders')}}: {{t('yes' if customer.consent_reminder else 'no')}}
% elif phone.startswith('+'):
 · {{t('not a customer yet')}}
% end
</p>
<div class="conversation-page">
<div class="talk">
<ol class="thread" data-since="/inbox/{{quote(phone)}}/since" data-last="{{last_id}}">
% for m in messages:
  <li class="msg {{m.direction}}" id="m{{m.id}}">
    <p class="text">{{m.text}}</p>
    <p class="info" data-state="{{m.id}}">{{when(m.created_at)}}
    % if m.direction == 'out':
     · <span class="state">{{label(m.state)}}</span>{{(' · ' + t('by {name}').format(name=m.author.full_name or m.author.username)) if m.author_id else ''}}
    % elif m.needs_staff:
     · <span class="badge">{{t('waiting for staff')}}</span>
    % end
    % if m.incomplete:
     · <span class="badge">{{t('part missing')}}</span>
    % end
    </p>
    % if m.id in understood:
    <p class="understood{{' unclear' if m.id in unclear else ''}}">{{understood[m.id]}}</p>
    % if can_teach:
    <details class="teach">
      <summary>{{t('Teach Loket what this means')}}</summary>
      <form method="post" action="/inbox/{{quote(phone)}}/teach">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="message" value="{{m.id}}">
        <label for="teach-{{m.id}}">{{t('What did the customer mean?')}}</label>
        <select id="teach-{{m.id}}" name="intent" required>
          <option value="">–</option>
          % for value, name in intents:
          <option value="{{value}}">{{name}}</option>
          % end
        </select>
        <button type="submit">{{t('Teach')}}</button>
        <p class="meta">{{t('Loket learns it for the next customer who writes the same.')}}</p>
      </form>
    </details>
    % end
    % end
  </li>
% end
</ol>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
% if can_reply and user.role != 'viewer':
<form method="post" action="/inbox/{{quote(phone)}}/reply" class="reply">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <input type="hidden" name="key" value="{{form_key}}">
  % if quick_replies:
  <p class="quick-title" id="quick-title">{{t('Quick replies')}}</p>
  <ul class="quick" aria-labelledby="quick-title">
    % for q in quick_replies:
    <li><a href="/inbox/{{quote(phone)}}?quick={{q.id}}#reply-text" data-fill="{{q.text}}">{{q.text}}</a></li>
    % end
  </ul>
  % end
  <label for="reply-text">{{t('Reply')}}</label>
  <textarea id="reply-text" name="text" rows="3" maxlength="{{max_chars}}" required data-counter="reply-counter">{{draft}}</textarea>
  <p id="reply-counter" class="counter meta" data-words="{{t('characters')}}|{{t('left in this part')}}|{{t('because of')}}" aria-live="polite">
  % if plan:
  {{number(plan.chars)}} {{t('characters')}} · {{plan.parts}} SMS · {{plan.remaining_in_part}} {{t('left in this part')}} · {{'GSM-7' if plan.encoding == 'gsm7' else 'UCS-2'}}
  % end
  </p>
  <div class="reply-buttons">
    <button type="submit" class="primary">{{t('Send')}}</button>
    % if may_keep:
    <button type="submit" class="secondary" formaction="/inbox/{{quote(phone)}}/quick" name="action" value="save">{{t('Save as a quick reply')}}</button>
    % end
  </div>
</form>
% if may_keep and quick_replies:
<details class="manage-quick">
  <summary>{{t('Delete a quick reply')}}</summary>
  <ul>
    % for q in quick_replies:
    <li>
      <span>{{q.text}}</span>
      <form method="post" action="/inbox/{{quote(phone)}}/quick">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="reply" value="{{q.id}}">
        <button type="submit" name="action" value="delete" class="secondary" data-confirm="{{t('Delete this quick reply?')}}">{{t('Delete')}}</button>
      </form>
    </li>
    % end
  </ul>
</details>
% end
% end
</div>
<aside class="beside" aria-labelledby="beside-title">
  <h2 id="beside-title" class="visually-hidden">{{t('This customer')}}</h2>
  % if actions:
  <section>
    <h3>{{t('For this customer')}}</h3>
    <ul class="actions">
      % for name, href in actions:
      <li><a class="button" href="{{href}}">{{t(name)}}</a></li>
      % end
    </ul>
  </section>
  % end
  % for section in things:
  <section>
    <h3>{{t(section['title'])}}</h3>
    % if section['rows']:
    <ul class="things">
      % for row in section['rows']:
      <li><a href="{{row['link']}}"><span class="what">{{row['text']}}</span> <span class="status">{{label(row['status'])}}</span> <span class="detail">{{row['detail']}}</span></a></li>
      % end
    </ul>
    % else:
    <p class="meta">{{t(section['empty'])}}</p>
    % end
  </section>
  % end
</aside>
</div>
