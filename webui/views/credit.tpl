  % c = m.get('credit')
  <dt>{{t('Credit')}}</dt>
  % if c:
  <dd class="{{'bad' if c['warning'] else ''}}">{{money(int(c['credit'].replace('.', ''))) if c['credit'].replace('.', '').isdigit() else c['credit']}} · {{t('active until')}} {{date(c['active_until'], True) or '?'}} · {{t('checked')}} {{c['checked'] or '?'}}{{(' — ' + t(c['warning'])) if c['warning'] else ''}}{{(' — ' + t('Promotions wait until the credit is topped up.')) if c['held'] else ''}}{{(' — ' + t('The last answer was not understood:') + ' ' + c['reply']) if not c['readable'] and c['reply'] else ''}}</dd>
  % else:
  <dd>{{t('not known yet (Loket asks the operator by USSD)')}}</dd>
  % end
