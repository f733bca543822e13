% # The lines of a restock order's form: the supplier's goods first, then the rest.
% rows = [(str(l.product_id or ''), str(l.quantity), number(l.cost) if l.cost is not None else '') for l in lines] + [('', '', '')] * blank
% for n, (goods, qty, cost) in enumerate(rows, start=1):
% goods, qty, cost = typed.get(f'goods{n}', goods), typed.get(f'qty{n}', qty), typed.get(f'cost{n}', cost)
<fieldset class="restock-line">
  <legend>{{t('Line {n}').format(n=n)}}</legend>
  <label>{{t('Goods')}} <select name="goods{{n}}"><option value="">-</option>
  % for group, goods_list in ((t('Supplied by {name}').format(name=s.name), theirs), (t('Other goods'), others)):
  % if goods_list:
    <optgroup label="{{group}}">
    % for p in goods_list:
      <option value="{{p.id}}" {{'selected' if str(p.id) == goods else ''}}>{{p.name}} · {{t('stock')}} {{number(p.stock)}}</option>
    % end
    </optgroup>
  % end
  % end
  </select></label>
  <label class="qty">{{t('qty')}} <input name="qty{{n}}" value="{{qty}}" inputmode="numeric" maxlength="7"></label>
  <label class="cost">{{t('Cost per unit (Rp)')}} <input name="cost{{n}}" value="{{cost}}" inputmode="numeric" maxlength="20" placeholder="{{t('optional')}}"></label>
</fieldset>
% end
