<div class="tiles">
  <a class="tile" href="/visits"><span class="big">{{visits_today}}</span>{{t('Visits')}} · {{t('Today')}}</a>
  <a class="tile" href="/tickets"><span class="big">{{len(tickets)}}</span>{{t('My open tickets')}}</a>
</div>
<section class="card">
  <h2><a href="/visits?view=week">{{t('My visits')}}</a></h2>
  % if not visits:
  <p class="empty">{{t('No visits planned for this week.')}}</p>
  % end
  <ul class="plain visits">
  % for k in visits:
    <li class="{{k.status}}">
      <a class="visit" href="/tickets/{{k.number}}"><strong>{{date(k.visit_at)}} {{clock(k.visit_at)}}</strong> <span>T-{{'%04d' % k.number}} · {{k.summary[:80]}}</span></a>
      <br>{{who(k.customer)}} · <a class="nowrap" href="tel:{{k.customer.phone}}">{{phone_number(k.customer.phone)}}</a>
      <br>{{k.customer.address or t('no address yet: call the customer')}}
      <br><span class="meta">{{label(k.status)}}</span>
    </li>
  % end
  </ul>
</section>
% include('dash_tickets.tpl', heading=t('My open tickets'))
