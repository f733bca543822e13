% rebase('layout.tpl')
<p class="back"><a href="/inbox">&larr; Inbox</a></p>
<h1>{{title}}</h1>
<p class="meta">{{phone}}
% if customer:
 · promotions: {{'yes' if customer.consent_marketing else 'no'}} · reminders: {{'yes' if customer.consent_reminder else 'no'}}
% end
</p>
<ol class="thread">
% for m in messages:
  <li class="msg {{m.direction}}">
    <p class="text">{{m.text}}</p>
    <p class="info">{{when(m.created_at)}}
    % if m.direction == 'out':
     · {{m.state}}{{' · by ' + m.author.username if m.author_id else ''}}
    % elif m.needs_staff:
     · <span class="badge">waiting for staff</span>
    % end
    % if m.incomplete:
     · <span class="badge">part missing</span>
    % end
    </p>
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
  <label for="reply-text">Reply</label>
  <textarea id="reply-text" name="text" rows="3" maxlength="{{max_chars}}" required>{{draft}}</textarea>
  <button type="submit" class="primary">Send</button>
</form>
% end
