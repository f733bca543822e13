% rebase('layout.tpl')
<h1>{{t('Not sent')}}</h1>
<p class="meta">{{t('Messages the modem could not send, and messages that may not have arrived because the box stopped while sending them.')}} {{t("Sending again makes a new message; the customer's consent is checked again.")}}</p>
% if not rows:
<p class="empty">{{t('Nothing is waiting: every message went out.')}}</p>
% end
<ul class="conversations">
% for m in rows:
  <li class="waiting">
    <div class="row">
      <a href="/inbox/{{quote(m.phone)}}" class="who">{{who(m.customer) if m.customer else phone_number(m.phone)}}</a>
      <span class="when">{{when(m.updated_at)}} · {{label(m.category)}} · {{label(m.state)}}</span>
      <p class="snippet">{{m.text[:160]}}</p>
      <p class="info">{{m.error}}</p>
      % if user.role != 'viewer':
      <form method="post" action="/outbox/{{m.id}}/resend">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">{{t('Send again')}}</button>
      </form>
      % end
    </div>
  </li>
% end
</ul>
<nav class="pages">
  % if page > 1:
  <a href="/outbox?page={{page - 1}}">{{t('Newer')}}</a>
  % end
  % if more:
  <a href="/outbox?page={{page + 1}}">{{t('Older')}}</a>
  % end
</nav>
