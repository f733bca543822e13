% rebase('layout.tpl')
<p class="back"><a href="/inbox">&larr; {{t('Inbox')}}</a></p>
<h1>{{title}}</h1>
<p class="meta">{{phone}}
% if customer:
 · <a href="/customers/{{customer.id}}">{{t('Profile')}}</a> · {{t('Promotions')}}: {{t('yes' if customer.consent_marketing else 'no')}} · {{t('Reminders')}}: {{t('yes' if customer.consent_reminder else 'no')}}
% end
</p>
<ol class="thread" data-since="/inbox/{{quote(phone)}}/since" data-last="{{last_id}}">
% for m in messages:
  <li class="msg {{m.direction}}" id="m{{m.id}}">
    <p class="text">{{m.text}}</p>
    <p class="info" data-state="{{m.id}}">{{when(m.created_at)}}
    % if m.direction == 'out':
     · <span class="state">{{m.state}}</span>{{' · by ' + m.author.username if m.author_id else ''}}
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
          % for value, label in intents:
          <option value="{{value}}">{{label}}</option>
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
  <label for="reply-text">{{t('Reply')}}</label>
  <textarea id="reply-text" name="text" rows="3" maxlength="{{max_chars}}" required data-counter="reply-counter">{{draft}}</textarea>
  <p id="reply-counter" class="counter meta" data-words="{{t('characters')}}|{{t('left in this part')}}|{{t('because of')}}" aria-live="polite"></p>
  <button type="submit" class="primary">{{t('Send')}}</button>
</form>
% end
